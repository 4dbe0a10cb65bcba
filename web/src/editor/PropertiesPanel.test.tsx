import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { PropertiesPanel, type Selection } from './PropertiesPanel';
import { TEST_CATALOG } from './testCatalog';
import { readSchema } from './model/schema';
import { sampleModel } from './model/fixtures';
import type { EditorModel } from './model/types';

function setup(selection: Selection, readOnly = false) {
  const onChange = vi.fn<(m: EditorModel, key?: string) => void>();
  const onRename = vi.fn();
  const model = sampleModel();
  render(
    <PropertiesPanel
      model={model}
      selection={selection}
      catalog={TEST_CATALOG}
      schema={readSchema(undefined)}
      readOnly={readOnly}
      onChange={onChange}
      onRename={onRename}
      onAlign={() => undefined}
      onDistribute={() => undefined}
    />,
  );
  return { onChange, onRename, model };
}

afterEach(cleanup);

describe('PropertiesPanel', () => {
  it('edits a component name', () => {
    const { onChange } = setup({ kind: 'element', id: 'db' });
    const panel = screen.getByTestId('properties-panel');
    fireEvent.change(within(panel).getByLabelText('Name'), { target: { value: 'Orders DB' } });
    const next = onChange.mock.calls[0]?.[0];
    expect(next?.components?.find((c) => c.id === 'db')?.name).toBe('Orders DB');
    expect(onChange.mock.calls[0]?.[1]).toBe('el:db.name');
    fireEvent.click(screen.getByRole('checkbox', { name: /Parameterized queries/ }));
    expect(onChange.mock.calls[1]?.[1]).toBeUndefined();
  });
  it('toggles a control with its description shown', () => {
    const { onChange } = setup({ kind: 'element', id: 'db' });
    expect(screen.getByText('Never build SQL from strings')).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: /Parameterized queries/ }));
    expect(onChange.mock.calls[0]?.[0].components?.find((c) => c.id === 'db')?.controls).toEqual(['parameterized-queries']);
  });
  it('refuses a taken id and renames on Enter', () => {
    const { onRename } = setup({ kind: 'element', id: 'db' });
    const id = screen.getByLabelText('Id');
    fireEvent.change(id, { target: { value: 'customer' } });
    expect(screen.getByRole('alert').textContent).toContain('already used');
    fireEvent.keyDown(id, { key: 'Enter' });
    expect(onRename).not.toHaveBeenCalled();
    fireEvent.change(id, { target: { value: 'orders.db' } });
    fireEvent.keyDown(id, { key: 'Enter' });
    expect(onRename).toHaveBeenCalledWith('db', 'orders.db');
  });
  it('edits a flow: tri-state encryption and authentication', () => {
    const { onChange } = setup({ kind: 'flow', id: 'customer->web.app' });
    fireEvent.click(screen.getByRole('radio', { name: 'No' }));
    expect(onChange.mock.calls[0]?.[0].flows?.[0]?.encrypted).toBe(false);
    fireEvent.change(screen.getByLabelText('Authentication'), { target: { value: 'token' } });
    expect(onChange.mock.calls[1]?.[0].flows?.[0]?.authentication).toBe('token');
    expect(screen.getByText(/yes, https is encrypted/)).toBeTruthy();
  });
  it('shows data assets when nothing is selected', () => {
    const { onChange } = setup({ kind: 'none' });
    expect(screen.getByText('Data assets (2)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add data asset' }));
    expect(onChange.mock.calls[0]?.[0].data).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Delete data asset orders' }));
    const after = onChange.mock.calls[1]?.[0];
    expect(after?.data?.map((d) => d.id)).toEqual(['profiles']);
    expect(after?.components?.find((c) => c.id === 'db')?.stores).toEqual(['profiles']);
  });
  it('is disabled for viewers', () => {
    setup({ kind: 'element', id: 'db' }, true);
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
  });
  it('offers a boundary no cycle as parent', () => {
    setup({ kind: 'element', id: 'prod' });
    const parent = screen.getByLabelText('Parent boundary') as HTMLSelectElement;
    const values = Array.from(parent.options).map((o) => o.value);
    expect(values).toEqual(['']);
  });
});
