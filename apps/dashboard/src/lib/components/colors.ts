/**
 * Series colours shared by the cards and the charts of the pages: a colour-blind-safe set after
 * Okabe and Ito (bluish green for satisfied, vermillion for unsatisfied and late, blues for on
 * time), never red against green alone. The wall display draws with its theme's colours.
 */
export const COLORS = {
  verySatisfied: '#00795a',
  satisfied: '#5cbf9f',
  unsatisfied: '#d55e00',
  early: '#1f6fc5',
  onTime: '#5fa8e8',
  late: '#d55e00',
  direct: '#0b5cad',
  online: '#22a3a0',
  postal: '#e3a23b',
  satisfaction: '#00795a',
  onTimeRate: '#0b5cad',
  received: '#9fb3cc',
} as const;
