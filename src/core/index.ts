export * from './deployment-model';
export * from './fips';
export * from './controls';
export * from './profile';
export * from './custodians';
export * from './evidence';
export { TenantIsolation } from './tenants';
export { NamingContext } from './naming';
export * from './period';
