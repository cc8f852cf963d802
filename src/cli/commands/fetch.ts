/** `actool fetch` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The fetch command. */
export const command: Command = notYet('fetch', 'fetch');
