// Humans in the web client: cookie sessions for game masters and players, the built client.
export { createHumansModule, humansModule } from './routes.ts';
export { createWebClientModule, webClientModule, WEB_DIST_DIR } from './web-client.ts';
export { HumanGateway } from './gateway.ts';
export { CSRF_HEADER, SESSION_COOKIE } from './cookies.ts';
