import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, Session } from './api.js';

export interface AppState {
  api: Api;
  session: Session;
  signOut: () => void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const v = useContext(AppContext);
  if (!v) throw new Error('useApp outside the signed-in app');
  return v;
}
