// The editor's dialogs: save message, save conflict, keyboard shortcuts.

import { useId, useState } from 'react';
import { Dialog } from '../components/Dialog';
import type { HeadInfo } from './editorApi';

export function SaveDialog(props: { busy: boolean; error: string | undefined; onSave(message: string): void; onClose(): void }) {
  const [message, setMessage] = useState('');
  const id = useId();
  return (
    <Dialog
      title="Save version"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form={`${id}-form`} className="button" disabled={props.busy}>
            {props.busy ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form
        id={`${id}-form`}
        onSubmit={(e) => {
          e.preventDefault();
          props.onSave(message.trim());
        }}
      >
        <label htmlFor={id}>What changed?</label>
        <textarea id={id} data-autofocus value={message} rows={3} onChange={(e) => setMessage(e.target.value)} placeholder="For example: add the payment webhook" />
        {props.error ? (
          <p className="ed-error" role="alert">
            {props.error}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}

export function ConflictDialog(props: {
  head: HeadInfo | undefined;
  busy: boolean;
  error: string | undefined;
  onReload(): void;
  onKeep(): void;
  onSaveAnyway(): void;
}) {
  const who = props.head?.author ?? 'someone else';
  const when = props.head?.createdAt ? new Date(props.head.createdAt).toLocaleString() : undefined;
  return (
    <Dialog
      title="Someone else saved this model"
      onClose={props.onKeep}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={props.onReload} disabled={props.busy}>
            Reload their version (discard my changes)
          </button>
          <button type="button" className="button button-secondary" data-autofocus onClick={props.onKeep} disabled={props.busy}>
            Keep editing
          </button>
          <button type="button" className="button" onClick={props.onSaveAnyway} disabled={props.busy}>
            Save mine anyway as a new version
          </button>
        </>
      }
    >
      <p role="alert">
        {props.head ? (
          <>
            <strong>{who}</strong> saved version {props.head.version}
            {when ? ` on ${when}` : ''}
            {props.head.message ? ` (“${props.head.message}”)` : ''} while you were editing.
          </>
        ) : (
          'Another version was saved while you were editing.'
        )}{' '}
        Your changes were not saved. Nothing was overwritten.
      </p>
      {props.error ? (
        <p className="ed-error" role="alert">
          {props.error}
        </p>
      ) : null}
    </Dialog>
  );
}

export const SHORTCUTS: readonly [string, string][] = [
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Shift+Z or Ctrl+Y', 'Redo'],
  ['Ctrl+C', 'Copy the selected elements (with the flows between them)'],
  ['Ctrl+V', 'Paste'],
  ['Ctrl+A', 'Select everything'],
  ['Delete or Backspace', 'Delete the selection'],
  ['Drag a palette entry onto the canvas', 'Add that element (into the boundary under the pointer)'],
  ['Drag from a node’s right handle to another node', 'Add a flow (https)'],
  ['Shift+click', 'Add to / remove from the selection'],
  ['Shift+drag on the canvas', 'Box select'],
  ['Drag on the canvas', 'Pan'],
  ['Mouse wheel / pinch', 'Zoom'],
  ['Enter on a palette entry', 'Add it at the centre of the view'],
  ['Escape', 'Clear the selection, close a dialog'],
  ['?', 'Show this list'],
];

export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} footer={<button type="button" className="button button-secondary" onClick={onClose}>Close</button>}>
      <table className="ed-shortcuts">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map(([k, v]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}

export function LeaveDialog({ onStay, onLeave }: { onStay(): void; onLeave(): void }) {
  return (
    <Dialog
      title="Leave without saving?"
      onClose={onStay}
      footer={
        <>
          <button type="button" className="button button-secondary" data-autofocus onClick={onStay}>
            Stay and keep editing
          </button>
          <button type="button" className="button" onClick={onLeave}>
            Leave and discard my changes
          </button>
        </>
      }
    >
      <p>This diagram has changes that are not saved as a version yet.</p>
    </Dialog>
  );
}
