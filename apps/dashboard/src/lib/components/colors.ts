/** Series colours shared by the cards and the charts (they also read well on the dark display). */
export const COLORS = {
  verySatisfied: '#12804a',
  satisfied: '#6cc28f',
  unsatisfied: '#d64535',
  early: '#1f6fc5',
  onTime: '#5fa8e8',
  late: '#d64535',
  direct: '#0b5cad',
  online: '#22a3a0',
  postal: '#e3a23b',
  satisfaction: '#12804a',
  onTimeRate: '#0b5cad',
  received: '#9fb3cc',
} as const;
