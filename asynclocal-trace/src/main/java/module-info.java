/**
 * Async causality traces for asynclocal: records what selected requests did asynchronously
 * through the public hook API and exports it as Chrome Trace Event JSON and Graphviz DOT.
 */
module dev.asynclocal.trace {
    requires transitive dev.asynclocal;

    exports dev.asynclocal.trace;
}
