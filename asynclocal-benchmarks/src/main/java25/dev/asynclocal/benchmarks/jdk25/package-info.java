/**
 * The JDK {@code ScopedValue} rows, compiled only when the module is built with JDK 25 or newer
 * (profile {@code jdk25}, {@code --release 25}). Classes carry the simple name of the group they
 * belong to, so the report puts their rows beside the others'.
 */
package dev.asynclocal.benchmarks.jdk25;
