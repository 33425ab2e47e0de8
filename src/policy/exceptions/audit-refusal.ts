// Exceptions and elevations record refusals the way every capability does.
export { recordRefusal as auditRefusal } from '../../audit/index.ts';
