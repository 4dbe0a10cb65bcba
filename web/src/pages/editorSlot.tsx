// Where the pages plug in the diagram editor, which lives in web/src/editor (the editor's own
// directory). The pages import from here only, so that they do not depend on the editor's layout.
// The model pages are loaded lazily (see App.tsx), which keeps the editor out of the first chunk.
export { Editor, type EditorProps } from '../editor/Editor';
export { DiagramView, type DiagramViewProps } from '../editor/DiagramView';
