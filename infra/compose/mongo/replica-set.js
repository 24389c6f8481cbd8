// Healthcheck of the compose MongoDB (run by mongosh as the root user every few seconds):
// initiates the single-node replica set on the first run, then reports healthy only once this
// node is a writable primary, so services never start against a node that refuses writes.
try {
  rs.status();
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
}
if (!db.hello().isWritablePrimary) {
  quit(1);
}
