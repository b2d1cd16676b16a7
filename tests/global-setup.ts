// Builds the chat page once before the tests, as `npm start` does, so servers under test serve the real client.

import { buildClient } from '../scripts/build-client.ts';

export default async function setup(): Promise<void> {
  await buildClient();
}
