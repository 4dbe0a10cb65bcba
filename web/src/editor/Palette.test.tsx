import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Palette } from './Palette';
import { TEST_CATALOG } from './testCatalog';

afterEach(cleanup);

describe('Palette', () => {
  it('groups entries by domain and filters by search', () => {
    render(<Palette catalog={TEST_CATALOG} disabled={false} onAdd={() => undefined} onStartDrag={() => undefined} />);
    expect(screen.getByTestId('palette-item-web-app')).toBeTruthy();
    expect(screen.getByTestId('palette-item-boundary')).toBeTruthy();
    expect(screen.getByTestId('palette-item-actor-user')).toBeTruthy();
    expect(screen.getByRole('button', { name: /Web and APIs/ })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Search the palette'), { target: { value: 'sql' } });
    expect(screen.queryByTestId('palette-item-web-app')).toBeNull();
    expect(screen.getByTestId('palette-item-relational-database')).toBeTruthy();
  });
  it('collapses a group', () => {
    render(<Palette catalog={TEST_CATALOG} disabled={false} onAdd={() => undefined} onStartDrag={() => undefined} />);
    const toggle = screen.getByRole('button', { name: /Web and APIs/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('palette-item-web-app')).toBeNull();
  });
  it('adds with the keyboard and starts pointer drags', () => {
    const onAdd = vi.fn();
    const onStartDrag = vi.fn();
    render(<Palette catalog={TEST_CATALOG} disabled={false} onAdd={onAdd} onStartDrag={onStartDrag} />);
    const item = screen.getByTestId('palette-item-web-app');
    fireEvent.click(item, { detail: 0 });
    expect(onAdd).toHaveBeenCalledWith(expect.objectContaining({ kind: 'component', type: 'web-app', name: 'Web application' }));
    fireEvent.click(item, { detail: 1 });
    expect(onAdd).toHaveBeenCalledTimes(1);
    fireEvent.pointerDown(item, { button: 0 });
    expect(onStartDrag).toHaveBeenCalledTimes(1);
  });
  it('is disabled for viewers', () => {
    render(<Palette catalog={TEST_CATALOG} disabled onAdd={() => undefined} onStartDrag={() => undefined} />);
    expect((screen.getByTestId('palette-item-web-app') as HTMLButtonElement).disabled).toBe(true);
  });
});
