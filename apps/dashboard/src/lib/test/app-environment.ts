/** Stands in for SvelteKit's `$app/environment` in the dashboard's unit tests: code runs as in a tab. */
export const browser = true;
export const dev = false;
export const building = false;
export const version = 'test';
