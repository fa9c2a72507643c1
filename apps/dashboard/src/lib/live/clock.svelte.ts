import { createSubscriber } from 'svelte/reactivity';

let now = Date.now();

const subscribe = createSubscriber((update) => {
  now = Date.now();
  // Tick on the second boundary, so a displayed clock does not drift against the wall.
  let timer = setTimeout(
    function tick() {
      now = Date.now();
      update();
      timer = setTimeout(tick, 1000 - (now % 1000) + 5);
    },
    1000 - (now % 1000) + 5,
  );
  return () => clearTimeout(timer);
});

/** The current time, ticking every second while something on screen reads it. */
export const clock = {
  get now(): number {
    subscribe();
    return now;
  },
};
