import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Brand } from './brands/brand.entity';
import { BrandsController } from './brands/brands.controller';
import { BrandsService } from './brands/brands.service';
import { Dealer } from './dealers/dealer.entity';
import { DealersController } from './dealers/dealers.controller';
import { DealersService } from './dealers/dealers.service';
import { User } from './users/user.entity';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** Brands (with themes), dealers and users: the network around the data rooms. */
@Module({
  imports: [TypeOrmModule.forFeature([Brand, Dealer, User])],
  controllers: [BrandsController, DealersController, UsersController],
  providers: [BrandsService, DealersService, UsersService],
  exports: [BrandsService, DealersService, UsersService],
})
export class NetworkModule {}
