/** `actool render` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The render command. */
export const command: Command = notYet('render', 'render');
