// Pipeline/job status as an icon with its name (colour is never the only signal).
const LABEL: Record<string, string> = {
  success: 'passed', failed: 'failed', running: 'running', pending: 'pending', created: 'created', canceled: 'canceled',
  canceling: 'canceling', skipped: 'skipped', manual: 'manual', scheduled: 'scheduled', waiting_for_resource: 'waiting',
  preparing: 'preparing',
};

function glyph(status: string) {
  switch (status) {
    case 'success': return <path d="M4.5 8.2l2.2 2.2 4.8-4.8" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />;
    case 'failed': return <path d="M5.5 5.5l5 5m0-5l-5 5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />;
    case 'running': return <path d="M8 3.5a4.5 4.5 0 0 1 0 9z" fill="currentColor" />;
    case 'pending': case 'waiting_for_resource': case 'preparing': return <path d="M6.2 5.2v5.6M9.8 5.2v5.6" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />;
    case 'canceled': case 'canceling': return <path d="M5 11l6-6" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />;
    case 'skipped': return <path d="M4.5 5l3 3-3 3M8.5 5l3 3-3 3" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" />;
    case 'manual': return <path d="M6.3 5v6l5-3z" fill="currentColor" />;
    case 'scheduled': return <path d="M8 5v3.2l2 1.3" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />;
    default: return <circle cx="8" cy="8" r="2" fill="currentColor" />;
  }
}

export function statusLabel(status: string): string {
  return LABEL[status] ?? status;
}

/** `decorative`: the status is also written beside the icon, so the icon stays silent. */
export function StatusIcon({ status, size = 16, decorative = false }: { status: string; size?: number; decorative?: boolean }) {
  return (
    <svg class={`status-icon st-${status}`} width={size} height={size} viewBox="0 0 16 16"
      {...(decorative ? { 'aria-hidden': 'true' } : { role: 'img', 'aria-label': statusLabel(status) })}>
      {!decorative && <title>{statusLabel(status)}</title>}
      <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
      {glyph(status)}
    </svg>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge st-${status}`}>
      <StatusIcon status={status} size={14} decorative />
      <span>{statusLabel(status)}</span>
    </span>
  );
}

export const ACTIVE = new Set(['created', 'pending', 'running', 'canceling', 'waiting_for_resource', 'preparing', 'scheduled']);
