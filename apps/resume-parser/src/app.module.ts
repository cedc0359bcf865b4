import { Module } from '@nestjs/common';
import { jobProcessor, WorkerAppModule } from '@jobdesk/queue';
import { ParseResumeHandler } from './resumes/parse-resume.handler';
import { ResumeParser, ThreadPoolResumeParser } from './resumes/resume-parser.pool';

@Module({
  imports: [WorkerAppModule.forQueues('resume-parser', ['resume.parse'])],
  providers: [jobProcessor('resume.parse', ParseResumeHandler), ParseResumeHandler, { provide: ResumeParser, useClass: ThreadPoolResumeParser }],
})
export class AppModule {}
