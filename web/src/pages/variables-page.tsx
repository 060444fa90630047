// /-/settings/ci_cd: the project's CI/CD variables. A masked variable's value is dropped as soon as
// it arrives and never shown; editing it without typing a new value keeps the stored one.
import { useState } from 'preact/hooks';
import { enc } from '../api.js';
import { useApp } from '../app-context.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorBox, Loading } from '../ui/link.js';
import type { Variable } from '../types.js';
import { useProject } from './use-project.js';

type Shown = Omit<Variable, 'value'> & { value: string | undefined };

function VariableForm(props: { initial?: Shown; onSave: (body: Record<string, unknown>) => Promise<void>; onCancel: () => void }) {
  const v = props.initial;
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const value = String(f.get('value') ?? '');
    const body: Record<string, unknown> = {
      key: String(f.get('key') ?? '').trim(), variable_type: f.get('variable_type'), environment_scope: String(f.get('environment_scope') ?? '*') || '*',
      protected: f.get('protected') === 'on', masked: f.get('masked') === 'on', raw: f.get('raw') === 'on',
    };
    if (!v || value !== '' || !v.masked) body.value = value;
    try {
      await props.onSave(body);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const id = v ? `edit-${v.key}` : 'new';
  return (
    <form class="card var-form" onSubmit={submit} aria-label={v ? `Edit ${v.key}` : 'Add variable'}>
      <div class="grid2">
        <label for={`${id}-key`}>Key</label>
        <input id={`${id}-key`} name="key" required pattern="[A-Za-z0-9_]+" defaultValue={v?.key ?? ''} readOnly={!!v} />
        <label for={`${id}-value`}>Value</label>
        <textarea id={`${id}-value`} name="value" rows={3} defaultValue={v && !v.masked ? v.value ?? '' : ''}
          placeholder={v?.masked ? 'Masked: leave empty to keep the current value' : ''} required={!v} />
        <label for={`${id}-type`}>Type</label>
        <select id={`${id}-type`} name="variable_type" defaultValue={v?.variable_type ?? 'env_var'}>
          <option value="env_var">Variable</option><option value="file">File</option>
        </select>
        <label for={`${id}-scope`}>Environment scope</label>
        <input id={`${id}-scope`} name="environment_scope" defaultValue={v?.environment_scope ?? '*'} />
      </div>
      <fieldset class="checks">
        <legend>Flags</legend>
        <label><input type="checkbox" name="protected" defaultChecked={v?.protected} /> Protected (protected branches and tags only)</label>
        <label><input type="checkbox" name="masked" defaultChecked={v?.masked} /> Masked (hidden in job logs; 8+ characters)</label>
        <label><input type="checkbox" name="raw" defaultChecked={v?.raw} /> Raw (not expanded)</label>
      </fieldset>
      {error && <ErrorBox message={error} />}
      <div class="actions">
        <button class="btn btn-primary" type="submit">{v ? 'Save' : 'Add variable'}</button>
        <button class="btn btn-ghost" type="button" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}

export function VariablesPage({ path }: { path: string }) {
  const { api } = useApp();
  const project = useProject(path);
  const pid = project.data?.id;
  const list = useLoad(async (s): Promise<Shown[]> => {
    if (pid === undefined) return [];
    const vars = await api.get<Variable[]>(`/api/v4/projects/${enc(pid)}/variables?per_page=100`, s);
    return vars.map((v) => ({ ...v, value: v.masked ? undefined : v.value }));
  }, [pid]);
  const [editing, setEditing] = useState<string | 'new' | undefined>();
  const [error, setError] = useState<string>();
  if (project.error) return <ErrorBox message={project.error} />;
  if (pid === undefined || !list.data) return list.error ? <ErrorBox message={list.error} /> : <Loading what="variables" />;
  const base = `/api/v4/projects/${enc(pid)}/variables`;
  const save = (key: string | undefined) => async (body: Record<string, unknown>) => {
    if (key) await api.send('PUT', `${base}/${enc(key)}`, body); else await api.send('POST', base, body);
    setEditing(undefined);
    list.reload();
  };
  const remove = async (key: string) => {
    if (!confirm(`Delete variable ${key}?`)) return;
    try { await api.send('DELETE', `${base}/${enc(key)}`); list.reload(); } catch (e) { setError(e instanceof Error ? e.message : String(e)); }
  };
  return (
    <>
      <div class="page-head">
        <h1>CI/CD variables</h1>
        <div class="actions">{editing !== 'new' && <button class="btn btn-primary" type="button" onClick={() => setEditing('new')}>Add variable</button>}</div>
      </div>
      <p class="muted">Passed to every job of this project. Masked values are never shown here.</p>
      {error && <ErrorBox message={error} />}
      {editing === 'new' && <VariableForm onSave={save(undefined)} onCancel={() => setEditing(undefined)} />}
      {list.data.length === 0 && <p class="muted">No variables yet.</p>}
      {list.data.length > 0 && (
        <div class="table-wrap card">
          <table class="table">
            <caption class="sr-only">CI/CD variables of {path}</caption>
            <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Type</th><th scope="col">Flags</th><th scope="col">Scope</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((v) => editing === v.key ? (
                <tr key={v.key}><td colSpan={6}><VariableForm initial={v} onSave={save(v.key)} onCancel={() => setEditing(undefined)} /></td></tr>
              ) : (
                <tr key={v.key}>
                  <td><code>{v.key}</code></td>
                  <td>{v.masked ? <span class="muted">•••••••• (masked)</span> : <code class="break">{v.value}</code>}</td>
                  <td>{v.variable_type === 'file' ? 'File' : 'Variable'}</td>
                  <td>{[v.protected && 'protected', v.masked && 'masked', v.raw && 'raw'].filter(Boolean).map((f) => <span key={String(f)} class="pill">{f}</span>)}</td>
                  <td><code>{v.environment_scope}</code></td>
                  <td class="row-actions">
                    <button class="btn btn-small" type="button" onClick={() => setEditing(v.key)} aria-label={`Edit ${v.key}`}>Edit</button>
                    <button class="btn btn-small btn-danger" type="button" onClick={() => remove(v.key)} aria-label={`Delete ${v.key}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
