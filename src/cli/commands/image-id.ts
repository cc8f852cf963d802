/** `actool image-id` (placeholder until its module lands). */
import type { Command } from '../command.js';
import { notYet } from '../not-yet.js';

/** The image-id command. */
export const command: Command = notYet('image-id', 'image-id');
