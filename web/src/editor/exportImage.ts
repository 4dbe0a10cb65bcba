// SVG / PNG export of the whole diagram with html-to-image.

import { toPng, toSvg } from 'html-to-image';
import { getNodesBounds, getViewportForBounds, type Node } from '@xyflow/react';

const PADDING = 40;

/** Renders the flow's viewport so that every node fits; returns a data URL. */
export async function exportDiagram(root: HTMLElement, nodes: Node[], format: 'svg' | 'png'): Promise<string> {
  const viewport = root.querySelector<HTMLElement>('.react-flow__viewport');
  if (!viewport) throw new Error('The diagram is not shown.');
  const bounds = getNodesBounds(nodes);
  const width = Math.max(200, Math.ceil(bounds.width + 2 * PADDING));
  const height = Math.max(200, Math.ceil(bounds.height + 2 * PADDING));
  const vp = getViewportForBounds(bounds, width, height, 0.1, 2, 0);
  const options = {
    backgroundColor: '#ffffff',
    width,
    height,
    style: {
      width: `${width}px`,
      height: `${height}px`,
      transform: `translate(${vp.x}px, ${vp.y}px) scale(${vp.zoom})`,
    },
    // The resize handles and connection handles are editing aids, not part of the drawing.
    filter: (el: HTMLElement) => !(el.classList?.contains('react-flow__resize-control') || el.classList?.contains('react-flow__handle')),
  };
  return format === 'svg' ? toSvg(viewport, options) : toPng(viewport, { ...options, pixelRatio: 2 });
}

/** Starts a download of a data URL. */
export function download(dataUrl: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** A file name from the model name (no path separators or control characters). */
export function fileNameFor(modelName: string, ext: 'svg' | 'png'): string {
  const clean = modelName.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').trim() || 'diagram';
  return `${clean}.${ext}`;
}
