import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG, parseConfig } from '@jobdesk/config';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStorage } from './fs-object-storage';
import { ObjectStorage } from './object-storage';
import { S3ObjectStorage } from './s3-object-storage';
import { createObjectStorage, StorageModule } from './storage.module';

describe('StorageModule', () => {
  it('picks the driver from STORAGE_DRIVER', () => {
    expect(createObjectStorage(parseConfig({}))).toBeInstanceOf(FsObjectStorage);
    expect(createObjectStorage(parseConfig({ STORAGE_DRIVER: 's3' }))).toBeInstanceOf(S3ObjectStorage);
  });

  it('provides ObjectStorage globally, injected by the abstract class', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobdesk-storage-module-'));
    @Global()
    @Module({ providers: [{ provide: APP_CONFIG, useValue: parseConfig({ STORAGE_DIR: dir }) }], exports: [APP_CONFIG] })
    class TestConfigModule {}

    const app = await Test.createTestingModule({ imports: [TestConfigModule, StorageModule.forRoot()] }).compile();
    try {
      const storage = app.get(ObjectStorage);
      await storage.put('a/b', Buffer.from('x'));
      expect((await storage.get('a/b')).toString()).toBe('x');
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
