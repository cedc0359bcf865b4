import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { FsObjectStorage } from './fs-object-storage';
import { ObjectStorage } from './object-storage';
import { S3ObjectStorage } from './s3-object-storage';

export function createObjectStorage(config: AppConfig): ObjectStorage {
  if (config.STORAGE_DRIVER === 's3') {
    return new S3ObjectStorage({
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
    });
  }
  return new FsObjectStorage(config.STORAGE_DIR);
}

/** Provides `ObjectStorage` (inject the abstract class) to every module. Needs ConfigModule. */
@Global()
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: ObjectStorage,
          inject: [APP_CONFIG],
          // Async so the app does not finish booting until its bucket exists: the first upload
          // would otherwise fail with NoSuchBucket on a fresh MinIO.
          useFactory: async (config: AppConfig): Promise<ObjectStorage> => {
            const storage = createObjectStorage(config);
            if (storage instanceof S3ObjectStorage) await storage.ensureBucket();
            return storage;
          },
        },
      ],
      exports: [ObjectStorage],
    };
  }
}
