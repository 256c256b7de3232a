// The API token lives in sessionStorage: it is gone when the tab closes and is never sent anywhere but
// the controller's own /api/v1 (same origin).
import type { WhoAmI } from './types';

const TOKEN_KEY = 'suanli.token';
let whoami: WhoAmI | null = null;

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setSession(token: string, identity: WhoAmI): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  whoami = identity;
}

export function setIdentity(identity: WhoAmI): void {
  whoami = identity;
}

export function identity(): WhoAmI | null {
  return whoami;
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  whoami = null;
}
