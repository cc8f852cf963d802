import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAciEntries } from '../../src/aci/entries.js';
import { computeImageId } from '../../src/aci/read-aci.js';
import { fixturePath } from '../support/paths.js';

describe('readAciEntries onImageId', () => {
  for (const name of ['gnu-tar-gzip', 'gnu-tar-xz', 'gnu-tar-plain']) {
    it(`A-ID-1 gives the same image ID as computeImageId in the same pass (${name})`, async () => {
      const path = fixturePath('aci', `${name}.aci`);
      let id: string | undefined;
      let count = 0;
      for await (const entry of readAciEntries(path, { onImageId: (x) => (id = x) })) {
        count++;
        void entry;
      }
      assert.ok(count > 0);
      assert.equal(id, await computeImageId(path));
    });
  }
});
