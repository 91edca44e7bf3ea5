// Placeholder checkout service: answers the health checks so the infrastructure can be deployed and exercised
// before the real service replaces this file. Node built-ins only, so the image needs no npm install.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);

const server = createServer((request, response) => {
  const healthy = request.url === '/health' || request.url === '/health/ready';
  response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify(healthy ? { status: 'ok', service: 'checkout' } : { error: 'placeholder checkout service' }),
  );
});

server.listen(port, '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
