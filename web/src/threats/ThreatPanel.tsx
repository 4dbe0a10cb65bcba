// The threat panel: the live analysis's threats, grouped by element or by
// severity, with a filter, and the selected threat's detail, status and comments.

import { memo, useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';

import {
  SEVERITIES,
  countUnresolved,
  filterThreats,
  formatScore,
  groupThreats,
  isResolved,
  targetLabel,
  threatStatusLabel,
  type GroupMode,
  type ThreatGroup,
} from './logic';
import { SeverityBadge, SeverityIcon } from './severity';
import { ThreatDetailView } from './ThreatDetailView';
import type { FullThreat, Summary, ThreatPreview } from './types';
import './ThreatPanel.css';

export interface ThreatPanelProps {
  modelId: string;
  threats: ThreatPreview[];
  summary: Summary;
  selectedThreatId?: string;
  onSelectThreat(id: string | undefined): void;
  onSelectElement(id: string): void;
  /** May decide (security architect or above). */
  canDecide: boolean;
  /** May change status and propose acceptance (developer). */
  canPropose: boolean;
  /** The saved (head) version: decisions and comments are re-read when it changes. */
  savedVersion: number;
  onDecisionSaved(): void;
  /** Loads one threat's full account when the list has only the compact entries (see ThreatDetailView). */
  loadThreat?(id: string, signal: AbortSignal): Promise<FullThreat>;
}

/** Rows rendered at first in an open group; more on request. */
export const ROWS_PER_PAGE = 100;
/** Groups rendered at first (grouping by element can make hundreds); more on request. */
export const GROUPS_PER_PAGE = 100;
/** Up to this many visible threats, every group starts open; above it only the first. */
const OPEN_ALL_UP_TO = 80;

export function ThreatPanel(props: ThreatPanelProps) {
  const { threats, summary, selectedThreatId, onSelectThreat } = props;
  const [mode, setMode] = useState<GroupMode>('severity');
  const [query, setQuery] = useState('');
  const [showResolved, setShowResolved] = useState(false);
  // Groups the user opened or closed (absent: the default).
  const [openGroups, setOpenGroups] = useState<Record<string, boolean>>({});
  const [rowLimits, setRowLimits] = useState<Record<string, number>>({});
  const [groupLimit, setGroupLimit] = useState(GROUPS_PER_PAGE);
  const listRef = useRef<HTMLDivElement>(null);
  const ids = useId();

  const deferredQuery = useDeferredValue(query);
  const filtered = useMemo(
    () => filterThreats(threats, { query: deferredQuery, showResolved }),
    [threats, deferredQuery, showResolved],
  );
  const groups = useMemo(() => groupThreats(filtered, mode), [filtered, mode]);
  const byId = useMemo(() => new Map(threats.map((threat) => [threat.id, threat])), [threats]);
  const resolvedCount = useMemo(() => threats.filter(isResolved).length, [threats]);
  // Counted from the threats themselves, so that the header always agrees with the list.
  const counts = useMemo(() => countUnresolved(threats), [threats]);
  const unresolvedCount = counts.critical + counts.high + counts.medium + counts.low;
  const selected = selectedThreatId !== undefined ? byId.get(selectedThreatId) : undefined;

  const isOpen = useCallback(
    (group: ThreatGroup, index: number) => openGroups[group.key] ?? (filtered.length <= OPEN_ALL_UP_TO || index === 0),
    [openGroups, filtered.length],
  );

  const toggleGroup = useCallback((key: string, open: boolean) => {
    setOpenGroups((before) => ({ ...before, [key]: open }));
  }, []);

  // Keep the latest callback without re-rendering every row when the parent passes a new function.
  const selectRef = useRef(onSelectThreat);
  selectRef.current = onSelectThreat;
  const selectThreat = useCallback((id: string) => selectRef.current(id), []);

  // A threat selected from outside (or from the list): open its group, render its row, then bring it into view.
  const pendingScroll = useRef<string | undefined>(undefined);
  useEffect(() => {
    pendingScroll.current = selectedThreatId;
    if (selectedThreatId === undefined) return;
    const index = groups.findIndex((group) => group.threats.some((threat) => threat.id === selectedThreatId));
    const group = groups[index];
    if (!group) return;
    const position = group.threats.findIndex((threat) => threat.id === selectedThreatId);
    if (!isOpen(group, index)) toggleGroup(group.key, true);
    if (index >= groupLimit) setGroupLimit(Math.ceil((index + 1) / GROUPS_PER_PAGE) * GROUPS_PER_PAGE);
    const limit = rowLimits[group.key] ?? ROWS_PER_PAGE;
    if (position >= limit) {
      setRowLimits((before) => ({ ...before, [group.key]: Math.ceil((position + 1) / ROWS_PER_PAGE) * ROWS_PER_PAGE }));
    }
    // Only when the selection changes: later changes of the groups must not reopen what the user closed.
  }, [selectedThreatId]);

  useEffect(() => {
    const id = pendingScroll.current;
    if (id === undefined || !listRef.current) return;
    const row = findRow(listRef.current, id);
    if (row) {
      pendingScroll.current = undefined;
      row.scrollIntoView?.({ block: 'nearest' });
    }
  }, [selectedThreatId, openGroups, rowLimits, groupLimit]);

  const onListKeyDown = useCallback((event: KeyboardEvent<HTMLDivElement>) => {
    const list = listRef.current;
    const current = event.target as HTMLElement;
    if (!list || !current.hasAttribute('data-nav')) return;
    const items = Array.from(list.querySelectorAll<HTMLElement>('[data-nav]'));
    const at = items.indexOf(current);
    let next: HTMLElement | undefined;
    switch (event.key) {
      case 'ArrowDown':
        next = items[Math.min(at + 1, items.length - 1)];
        break;
      case 'ArrowUp':
        next = items[Math.max(at - 1, 0)];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items[items.length - 1];
        break;
      case 'Enter': {
        // Selecting here (and not through the button's own click) keeps one selection per key press.
        const id = current.getAttribute('data-threat-id');
        if (id === null) return;
        event.preventDefault();
        selectThreat(id);
        return;
      }
      case 'ArrowRight':
      case 'ArrowLeft': {
        const key = current.getAttribute('data-group');
        if (key !== null && current.hasAttribute('aria-expanded')) {
          event.preventDefault();
          toggleGroup(key, event.key === 'ArrowRight');
        } else if (event.key === 'ArrowLeft') {
          // From a row to its group's header.
          const header = current.closest('[data-group-box]')?.querySelector<HTMLElement>('[data-group]');
          if (header) {
            event.preventDefault();
            header.focus();
          }
        }
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    next?.focus();
  }, [toggleGroup, selectThreat]);

  const closeDetail = useCallback(() => {
    const id = selectedThreatId;
    onSelectThreat(undefined);
    if (id !== undefined) {
      // Focus goes back to the threat's row when it is listed.
      requestAnimationFrame(() => {
        if (listRef.current) findRow(listRef.current, id)?.focus();
      });
    }
  }, [onSelectThreat, selectedThreatId]);

  return (
    <section className="tp-panel" data-testid="threat-panel" aria-labelledby={`${ids}-title`}>
      <header className="tp-header">
        <h2 id={`${ids}-title`} className="tp-title">
          Threats
        </h2>
        <p className="tp-totals">
          {unresolvedCount} unresolved of {threats.length} · risk score {formatScore(summary.risk_score)}
        </p>
        <ul className="tp-counts" aria-label="Unresolved threats by severity">
          {SEVERITIES.map((severity) => (
            <li key={severity} className="tp-count" data-testid={`threat-count-${severity}`}>
              <SeverityBadge severity={severity} suffix={counts[severity]} />
            </li>
          ))}
        </ul>
      </header>

      <div className="tp-controls">
        <div className="tp-toggle" role="group" aria-label="Group threats">
          <button
            type="button"
            aria-pressed={mode === 'element'}
            className={mode === 'element' ? 'tp-toggle-on' : undefined}
            onClick={() => setMode('element')}
          >
            By element
          </button>
          <button
            type="button"
            aria-pressed={mode === 'severity'}
            className={mode === 'severity' ? 'tp-toggle-on' : undefined}
            onClick={() => setMode('severity')}
          >
            By severity
          </button>
        </div>
        <input
          type="search"
          className="tp-filter"
          aria-label="Filter threats"
          placeholder="Filter threats"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <label className="tp-check">
          <input type="checkbox" checked={showResolved} onChange={(event) => setShowResolved(event.target.checked)} />
          Show resolved ({resolvedCount})
        </label>
      </div>

      <div className="tp-list" ref={listRef} onKeyDown={onListKeyDown} aria-label="Threat list" role="region">
        {groups.length === 0 ? (
          <p className="tp-empty">
            {threats.length === 0
              ? 'No threats: the analysis found nothing to report for this model.'
              : 'No threat matches the filter.'}
          </p>
        ) : (
          groups.slice(0, groupLimit).map((group, index) => (
            <GroupView
              key={group.key}
              group={group}
              mode={mode}
              open={isOpen(group, index)}
              limit={rowLimits[group.key] ?? ROWS_PER_PAGE}
              selectedThreatId={selectedThreatId}
              onToggle={toggleGroup}
              onMore={(key) =>
                setRowLimits((before) => ({ ...before, [key]: (before[key] ?? ROWS_PER_PAGE) + ROWS_PER_PAGE }))
              }
              onSelect={selectThreat}
              idPrefix={ids}
            />
          ))
        )}
        {groups.length > groupLimit ? (
          <button
            type="button"
            className="tp-more tp-more-groups"
            data-nav=""
            onClick={() => setGroupLimit((limit) => limit + GROUPS_PER_PAGE)}
          >
            Show {Math.min(groups.length - groupLimit, GROUPS_PER_PAGE)} more groups of {groups.length - groupLimit}
          </button>
        ) : null}
      </div>

      {selectedThreatId !== undefined ? (
        selected ? (
          <ThreatDetailView
            key={selected.id}
            threat={selected}
            modelId={props.modelId}
            savedVersion={props.savedVersion}
            canDecide={props.canDecide}
            canPropose={props.canPropose}
            onSelectElement={props.onSelectElement}
            onDecisionSaved={props.onDecisionSaved}
            onClose={closeDetail}
            loadThreat={props.loadThreat}
          />
        ) : (
          <div className="tp-detail tp-gone" role="region" aria-label="Threat details">
            <p>This threat is gone from the current analysis: the diagram changed so that its rule no longer applies.</p>
            <button type="button" onClick={closeDetail}>
              Close
            </button>
          </div>
        )
      ) : null}
    </section>
  );
}

/** The row button of a threat, when it is rendered. */
function findRow(list: HTMLElement, id: string): HTMLElement | undefined {
  for (const row of list.querySelectorAll<HTMLElement>('[data-threat-id]')) {
    if (row.getAttribute('data-threat-id') === id) return row;
  }
  return undefined;
}

interface GroupViewProps {
  group: ThreatGroup;
  mode: GroupMode;
  open: boolean;
  limit: number;
  selectedThreatId: string | undefined;
  onToggle(key: string, open: boolean): void;
  onMore(key: string): void;
  onSelect(id: string): void;
  idPrefix: string;
}

const GroupView = memo(function GroupView({
  group,
  mode,
  open,
  limit,
  selectedThreatId,
  onToggle,
  onMore,
  onSelect,
  idPrefix,
}: GroupViewProps) {
  const listId = `${idPrefix}-${group.key}`;
  const unresolved = group.counts.critical + group.counts.high + group.counts.medium + group.counts.low;
  const shown = open ? group.threats.slice(0, limit) : [];
  const rest = group.threats.length - shown.length;
  return (
    <div className="tp-group" data-group-box="">
      <button
        type="button"
        className="tp-group-header"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        data-nav=""
        data-group={group.key}
        onClick={() => onToggle(group.key, !open)}
      >
        <span className="tp-chevron" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        {mode === 'severity' ? (
          <SeverityBadge severity={group.severity} />
        ) : (
          <>
            <SeverityIcon severity={group.severity} />
            <span className="tp-group-label" title={group.label}>
              {group.label}
            </span>
          </>
        )}
        <span className="tp-group-count">
          {group.threats.length} {group.threats.length === 1 ? 'threat' : 'threats'}
          {unresolved !== group.threats.length ? `, ${unresolved} unresolved` : ''}
        </span>
      </button>
      {open ? (
        <ul className="tp-rows" id={listId} aria-label={`${group.label} threats`}>
          {shown.map((threat) => (
            <li key={threat.id}>
              <ThreatRow
                threat={threat}
                selected={threat.id === selectedThreatId}
                onSelect={onSelect}
              />
            </li>
          ))}
          {rest > 0 ? (
            <li>
              <button type="button" className="tp-more" data-nav="" onClick={() => onMore(group.key)}>
                Show {Math.min(rest, ROWS_PER_PAGE)} more of {rest}
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
});

interface ThreatRowProps {
  threat: ThreatPreview;
  selected: boolean;
  onSelect(id: string): void;
}

const ThreatRow = memo(function ThreatRow({ threat, selected, onSelect }: ThreatRowProps) {
  const resolved = isResolved(threat);
  return (
    <button
      type="button"
      className={`tp-row${selected ? ' tp-row-selected' : ''}${resolved ? ' tp-row-resolved' : ''}`}
      data-testid={`threat-${threat.id}`}
      data-threat-id={threat.id}
      data-nav=""
      aria-current={selected ? 'true' : undefined}
      onClick={() => onSelect(threat.id)}
    >
      <SeverityBadge severity={threat.severity} />
      <span className="tp-row-title">{threat.title}</span>
      <span className="tp-row-meta">
        <span className="tp-row-target">{targetLabel(threat)}</span>
        <span className={`tp-status tp-status-${threat.status}`}>{threatStatusLabel(threat)}</span>
      </span>
    </button>
  );
});
