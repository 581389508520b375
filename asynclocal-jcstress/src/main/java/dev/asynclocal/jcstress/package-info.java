/**
 * jcstress tests, one class per piece of shared mutable state in {@code asynclocal-core}. Each
 * class's description names the race it provokes and the outcomes it forbids.
 *
 * <p>Hooks and async ids are process-wide, and jcstress runs many instances of a test at once, so
 * every test tells its own events apart from the others' (by a resource type unique to the test
 * instance, or by async id) and undoes what it enabled in its arbiter.
 */
package dev.asynclocal.jcstress;
