export const label = 'view';
