import { bootApp } from '@jobdesk/app-host';
import { AppModule } from './app.module';

void bootApp(AppModule, { name: 'notifier', defaultPort: 3004 });
