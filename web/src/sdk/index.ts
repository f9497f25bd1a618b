export * from './protocol';
export * from './client';
export * from './datapacket';
export * from './reconnect';
export * from './quality';
export * from './codecs';
