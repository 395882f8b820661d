import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueAdminModule } from '../queue-admin/queue-admin.module';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueMetrics } from './queue-metrics';

/** Prometheus metrics (global: any module records through {@link MetricsService}). */
@Global()
@Module({
  imports: [DiscoveryModule, QueueAdminModule],
  controllers: [MetricsController],
  providers: [MetricsService, HttpMetrics, QueueMetrics],
  exports: [MetricsService],
})
export class MetricsModule {}
