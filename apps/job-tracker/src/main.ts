import { bootApp } from '@jobdesk/app-host';
import { AppModule } from './app.module';

void bootApp(AppModule, { name: 'job-tracker', defaultPort: 3001 });
