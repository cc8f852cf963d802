/** `actool cat-manifest` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The cat-manifest command. */
export const command: Command = notYet('cat-manifest', 'cat-manifest');
