/**
 * Implementation of asynclocal. <strong>Not API</strong>: this package is not exported by the
 * {@code dev.asynclocal} module, and anything in it may change in any release.
 *
 * <p>Naming scheme, written once here:
 * <ul>
 *   <li>a <em>frame</em> ({@link dev.asynclocal.internal.Frame}) is one immutable context: a map
 *       from {@link dev.asynclocal.internal.FrameKey} to store;</li>
 *   <li>a thread's <em>state</em> ({@link dev.asynclocal.internal.ThreadState}) holds the frame
 *       current on that thread and the async ids of the resource whose callback is running;</li>
 *   <li><em>capture</em> reads the current frame reference, <em>install</em> writes one, and
 *       <em>restore</em> writes back the reference a capture or install returned.</li>
 * </ul>
 * Members that the agent's generated code calls carry a comment saying so: keep their signatures.
 */
package dev.asynclocal.internal;
