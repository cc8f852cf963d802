/** `actool build` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The build command. */
export const command: Command = notYet('build', 'build');
