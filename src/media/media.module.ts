import { Module } from '@nestjs/common';
import { MediaController } from './media.controller';
import { MediaService } from './media.service';
import { LocalDiskMediaStorage } from './storage/local-disk-media-storage';
import { MEDIA_STORAGE } from './storage/media-storage';
import { UploadController } from './upload.controller';

@Module({
  controllers: [UploadController, MediaController],
  providers: [MediaService, { provide: MEDIA_STORAGE, useClass: LocalDiskMediaStorage }],
})
export class MediaModule {}
