import { Module } from '@nestjs/common';
import { NetworkModule } from '../network/network.module';
import { SeedService } from './seed.service';

@Module({ imports: [NetworkModule], providers: [SeedService], exports: [SeedService] })
export class SeedModule {}
