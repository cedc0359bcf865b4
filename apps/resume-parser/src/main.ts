import { bootApp } from '@jobdesk/app-host';
import { AppModule } from './app.module';

void bootApp(AppModule, { name: 'resume-parser', defaultPort: 3002 });
