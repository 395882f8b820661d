import { Module } from '@nestjs/common';
import { mediaConfig, type MediaConfig } from '../config/media.config';
import { MediaController } from './media.controller';
import { MediaService } from './media.service';
import { GridFsMediaRepository } from './storage/gridfs-media.repository';
import { LocalDiskMediaStorage } from './storage/local-disk-media-storage';
import { MEDIA_STORAGE, type MediaStorage } from './storage/media-storage';
import { S3MediaStorage } from './storage/s3-media-storage';
import { UploadController } from './upload.controller';

@Module({
  controllers: [UploadController, MediaController],
  providers: [
    MediaService,
    GridFsMediaRepository,
    LocalDiskMediaStorage,
    {
      provide: MEDIA_STORAGE,
      inject: [mediaConfig.KEY, GridFsMediaRepository, LocalDiskMediaStorage],
      useFactory: (
        config: MediaConfig,
        gridfs: GridFsMediaRepository,
        local: LocalDiskMediaStorage,
      ): MediaStorage => {
        switch (config.storage) {
          case 'gridfs':
            return gridfs;
          case 's3':
            return new S3MediaStorage(config.s3);
          case 'local':
            return local;
        }
      },
    },
  ],
})
export class MediaModule {}
