/**
 * The read ceiling: a bare Fastify route that returns one stored JSON string. Run as a child
 * process by the bench (`node dist/bench/bare-server.js PORT FILE`).
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [port, file] = process.argv.slice(2);
const body = readFileSync(file!, 'utf8');
const app = Fastify();
app.get('/fhir/Patient/:id', async (_req, reply) => reply.type('application/fhir+json; charset=utf-8').send(body));
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
