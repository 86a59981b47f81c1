import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppointmentsController } from './appointments/appointments.controller';
import { Appointment } from './appointments/appointment.entity';
import { AppointmentsService } from './appointments/appointments.service';
import { ConsentsController } from './consents/consents.controller';
import { Consent } from './consents/consent.entity';
import { ConsentsService } from './consents/consents.service';
import { CustomersController } from './customers/customers.controller';
import { Customer } from './customers/customer.entity';
import { CustomersService } from './customers/customers.service';
import { DataRoomAccess } from './data-room.access';
import { CustomerEvent } from './events/event.entity';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { ImportsController } from './imports/imports.controller';
import { ImportsService } from './imports/imports.service';
import { VehiclesController } from './vehicles/vehicles.controller';
import { Vehicle } from './vehicles/vehicle.entity';
import { VehiclesService } from './vehicles/vehicles.service';

/** Each dealer's own records: customers, vehicles, the consent ledger, appointments, events, imports. */
@Module({
  imports: [TypeOrmModule.forFeature([Customer, Vehicle, Consent, Appointment, CustomerEvent])],
  controllers: [CustomersController, VehiclesController, ConsentsController, AppointmentsController, EventsController, ImportsController],
  providers: [DataRoomAccess, CustomersService, VehiclesService, ConsentsService, AppointmentsService, EventsService, ImportsService],
  exports: [DataRoomAccess, CustomersService],
})
export class DataRoomModule {}
