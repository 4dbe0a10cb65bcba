// The overview picture of a large diagram when zoomed far out (see lod.ts).
// Rendered inside <ReactFlow>: it follows the zoom with one store selector
// (a boolean, so it re-renders only when the threshold is crossed), toggles
// the `ed-far` class on the canvas container, and draws the scene on a
// canvas placed in the viewport (so that the viewport's transform moves it).

import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import { ViewportPortal, useStore } from '@xyflow/react';

import { bitmapScale, drawScene, isFar, overviewStep, type Highlight, type Scene } from './lod';

export interface FarViewProps {
  scene: Scene;
  highlight: Highlight;
  /** The element whose class list gets `ed-far` (the canvas container). */
  container: RefObject<HTMLElement | null>;
  /** Number of elements and flows: small diagrams never switch. */
  items: number;
  /** False while exporting (the export needs the real elements). */
  enabled: boolean;
  onFarChange?(far: boolean): void;
}

export function FarView({ scene, highlight, container, items, enabled, onFarChange }: FarViewProps) {
  // Nodes not yet measured must stay rendered (xyflow measures them from the DOM).
  const far = useStore((s) => enabled && s.nodesInitialized && isFar(s.transform[2], items));
  // The bitmap's resolution follows the zoom in a few steps (a boolean-like value: few re-renders).
  const step = useStore((s) => overviewStep(s.transform[2]));
  const canvas = useRef<HTMLCanvasElement>(null);

  useLayoutEffect(() => {
    const el = container.current;
    if (!el) return undefined;
    el.classList.toggle('ed-far', far);
    return () => el.classList.remove('ed-far');
  }, [far, container]);

  const changed = useRef(onFarChange);
  changed.current = onFarChange;
  useEffect(() => changed.current?.(far), [far]);

  const bounds = scene.bounds;
  const scale = bounds ? bitmapScale(bounds, typeof window === 'undefined' ? 1 : window.devicePixelRatio, step) : 1;
  const width = bounds ? Math.max(1, Math.ceil(bounds.width * scale)) : 1;
  const height = bounds ? Math.max(1, Math.ceil(bounds.height * scale)) : 1;

  useEffect(() => {
    if (!far || !canvas.current) return;
    const pen = canvas.current.getContext('2d');
    if (!pen) return;
    drawScene(pen, scene, scale, width, height, highlight);
  }, [far, scene, scale, width, height, highlight]);

  if (!far || !bounds) return null;
  return (
    <ViewportPortal>
      <canvas
        ref={canvas}
        className="ed-far-canvas"
        width={width}
        height={height}
        style={{ left: bounds.x, top: bounds.y, width: bounds.width, height: bounds.height }}
        role="img"
        aria-label={`Overview of the whole diagram (${scene.boxes.length} elements, ${scene.lines.length} flows): zoom in to edit`}
      />
    </ViewportPortal>
  );
}
