import { bootApp } from '@jobdesk/app-host';
import { AppModule } from './app.module';

void bootApp(AppModule, { name: 'email-worker', defaultPort: 3003 });
