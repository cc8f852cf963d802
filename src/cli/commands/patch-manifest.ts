/** `actool patch-manifest` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The patch-manifest command. */
export const command: Command = notYet('patch-manifest', 'patch-manifest');
