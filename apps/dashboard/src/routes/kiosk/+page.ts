// The kiosk lives in the browser (its token, its outbox in IndexedDB); the server only sends the shell.
export const ssr = false;
