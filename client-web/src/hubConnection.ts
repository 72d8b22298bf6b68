import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection, type IRetryPolicy } from '@microsoft/signalr';
import type { TokenKeeper } from './api';
import { ChatPaths } from './types';

/** Delays between reconnect attempts; the last one repeats for as long as the page lives. */
export const retryDelaysMs = [0, 1000, 2000, 5000, 10000];

export const retryDelay = (attempt: number) => retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)];

export const delay = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** The hub connection: WebSockets straight away, a fresh token on every (re)connect, retries while <retrying> says so. */
export function createHubConnection(tokens: TokenKeeper, retrying: () => boolean): HubConnection {
  const retryPolicy: IRetryPolicy = {
    // An ended session shows up as a failed refresh in connectLoop (after onclose), which asks to log in again.
    nextRetryDelayInMilliseconds: context => (retrying() ? retryDelay(context.previousRetryCount) : null),
  };
  return new HubConnectionBuilder()
    .withUrl(ChatPaths.hub, {
      // Asked on every connect and reconnect: the server closes a connection when its token expires.
      accessTokenFactory: () => tokens.accessToken(),
      skipNegotiation: true,
      transport: HttpTransportType.WebSockets,
    })
    .withAutomaticReconnect(retryPolicy)
    .configureLogging(LogLevel.Warning)
    .build();
}
