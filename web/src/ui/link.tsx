import type { ComponentChildren } from 'preact';
import { linkClick } from '../router.js';

export function Link(props: { href: string; class?: string; children: ComponentChildren; 'aria-current'?: 'page' | undefined; title?: string }) {
  return <a {...props} onClick={linkClick}>{props.children}</a>;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted" role="status">Loading {what}…</p>;
}

export function ErrorBox({ message }: { message: string }) {
  return <p class="error" role="alert">{message}</p>;
}
