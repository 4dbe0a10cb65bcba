import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { getTemplates } from '../api/cache';
import { errorMessage, formatProblem, problemsOf, type ProblemLocation } from '../api/errors';
import type { SaveResult, Template, TemplateInfo } from '../api/types';
import type { ModelJson } from '../model/types';
import { Dialog } from '../components/Dialog';
import { CanvasIcon, TemplateIcon, UploadIcon } from '../components/Icons';
import { plural } from '../lib/format';
import './NewModelDialog.css';

type Way = 'empty' | 'template' | 'upload';

export interface NewModelDialogProps {
  projectId: string;
  onClose(): void;
  onCreated(result: SaveResult): void;
}

/** The smallest valid model: a name and nothing else. */
export function emptyModel(name: string): ModelJson {
  return { rampart: 1, name };
}

export function NewModelDialog({ projectId, onClose, onCreated }: NewModelDialogProps) {
  const [way, setWay] = useState<Way>('empty');
  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [templates, setTemplates] = useState<TemplateInfo[] | null>(null);
  const [templatesError, setTemplatesError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<ProblemLocation[]>([]);
  const nameId = useId();
  const fileId = useId();

  useEffect(() => {
    if (way !== 'template' || templates) return;
    let live = true;
    getTemplates()
      .then((items) => live && setTemplates(items))
      .catch((err) => live && setTemplatesError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [way, templates]);

  const chosenTemplate = templates?.find((t) => t.id === templateId) ?? null;

  async function create(): Promise<SaveResult> {
    const trimmed = name.trim();
    if (way === 'empty') {
      if (!trimmed) throw new Error('Give the model a name.');
      return must(
        api.POST('/api/v1/projects/{project}/models', {
          params: { path: { project: projectId } },
          body: { name: trimmed, message: 'Created from an empty canvas', model: emptyModel(trimmed) },
        }),
      );
    }
    if (way === 'template') {
      if (!chosenTemplate) throw new Error('Choose a template.');
      const template = (await must(
        api.GET('/api/v1/templates/{template}', { params: { path: { template: chosenTemplate.id } } }),
      )) as Template;
      const modelName = trimmed || template.name;
      return must(
        api.POST('/api/v1/projects/{project}/models', {
          params: { path: { project: projectId } },
          body: {
            name: modelName,
            message: `Created from the template "${template.name}"`,
            model: { ...template.model, name: modelName },
          },
        }),
      );
    }
    if (!file) throw new Error('Choose a file to upload.');
    const bytes = await file.arrayBuffer();
    return must(
      api.POST('/api/v1/projects/{project}/imports', {
        params: {
          path: { project: projectId },
          query: { name: trimmed || undefined, format: 'auto', file_name: file.name },
        },
        // API boundary: the body is the file's raw bytes, not the string the schema names.
        body: bytes as unknown as string,
        bodySerializer: (body: unknown) => body,
        headers: { 'Content-Type': 'application/octet-stream' },
      }),
    );
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setProblems([]);
    try {
      onCreated(await create());
    } catch (err) {
      setError(errorMessage(err));
      setProblems(problemsOf(err));
    } finally {
      setBusy(false);
    }
  }

  const ways: { id: Way; title: string; text: string; icon: React.ReactNode }[] = [
    { id: 'empty', title: 'Empty canvas', text: 'Start from nothing and draw.', icon: <CanvasIcon /> },
    { id: 'template', title: 'From a template', text: 'Start from a typical architecture.', icon: <TemplateIcon /> },
    { id: 'upload', title: 'Upload a file', text: 'Rampart, Threagile, Threat Dragon, Terraform, …', icon: <UploadIcon /> },
  ];

  return (
    <Dialog
      title="New model"
      onClose={onClose}
      className="dialog-wide"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="new-model-form" className="button" disabled={busy}>
            {busy ? 'Creating…' : 'Create model'}
          </button>
        </>
      }
    >
      <form id="new-model-form" onSubmit={onSubmit} noValidate>
        <fieldset className="ways">
          <legend>How to start</legend>
          {ways.map((w) => (
            <label key={w.id} className={`way${way === w.id ? ' way-selected' : ''}`}>
              <input
                type="radio"
                name="way"
                value={w.id}
                checked={way === w.id}
                onChange={() => {
                  setWay(w.id);
                  setError(null);
                  setProblems([]);
                }}
                data-autofocus={w.id === 'empty' ? true : undefined}
              />
              <span className="way-icon">{w.icon}</span>
              <span className="way-title">{w.title}</span>
              <span className="way-text">{w.text}</span>
            </label>
          ))}
        </fieldset>

        <div className="field">
          <label className="field-label" htmlFor={nameId}>
            Name{way === 'empty' ? '' : ' (optional)'}
          </label>
          <input
            id={nameId}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={
              way === 'template' ? chosenTemplate?.name ?? 'The template’s name' : way === 'upload' ? 'The name in the file' : 'Payments API'
            }
            required={way === 'empty'}
          />
        </div>

        {way === 'template' ? (
          <fieldset className="templates">
            <legend>Template</legend>
            {templatesError ? <p className="error-note">Could not load the templates: {templatesError}</p> : null}
            {!templates && !templatesError ? <p className="muted">Loading templates…</p> : null}
            <div className="template-grid">
              {templates?.map((t) => (
                <label key={t.id} className={`template-card${templateId === t.id ? ' template-selected' : ''}`}>
                  <input
                    type="radio"
                    name="template"
                    value={t.id}
                    checked={templateId === t.id}
                    onChange={() => setTemplateId(t.id)}
                  />
                  <span className="template-name">{t.name}</span>
                  <span className="template-description">{t.description}</span>
                  <span className="template-size">
                    {plural(t.components, 'component')} · {plural(t.flows, 'flow')}
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}

        {way === 'upload' ? (
          <div className="field">
            <label className="field-label" htmlFor={fileId}>
              File
            </label>
            <input id={fileId} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            <p className="field-help">
              Any format Rampart reads: its own YAML or JSON, Threagile, Threat Dragon, Microsoft TMT, pytm, Threat
              Composer, OTM, Kubernetes, Compose, Terraform or CloudFormation. The format is detected. A directory
              (a Terraform module, manifests, an AWS CLI inventory) goes up as a .zip or .tar.gz.
            </p>
          </div>
        ) : null}

        {error ? (
          <div className="error-note" role="alert">
            {problems.length > 0 ? <p>The file is not a valid model:</p> : <p>{error}</p>}
            {problems.length > 0 ? (
              <ul className="problems">
                {problems.map((p, i) => (
                  <li key={i}>
                    <code>{formatProblem(p)}</code>
                    {p.help ? <span className="muted"> — {p.help}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}
