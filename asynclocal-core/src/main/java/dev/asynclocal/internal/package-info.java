/**
 * Implementation of asynclocal. <strong>Not API</strong>: exported only to the library's own
 * agent, JUnit and Kotlin modules, which may use {@link dev.asynclocal.internal.Engine} and
 * nothing else here (a test enforces it); anything else may change in any release.
 *
 * <p>Words used throughout:
 * <ul>
 *   <li>a <em>frame</em> ({@link dev.asynclocal.internal.Frame}) is one immutable context: a map
 *       from {@link dev.asynclocal.internal.FrameKey} to store; {@code Frame.EMPTY} is the empty
 *       context;</li>
 *   <li>a thread's <em>state</em> ({@link dev.asynclocal.internal.ThreadState}) holds the frame
 *       current on that thread and the async ids of the resource whose callback is running;</li>
 *   <li>every switch of frame is {@code previous = ThreadState.enter(frame)} followed, in a
 *       {@code finally}, by {@code ThreadState.exit(previous)};</li>
 *   <li>a <em>capture</em> ({@link dev.asynclocal.internal.AsyncOperation}) is the frame of one
 *       asynchronous operation taken where the operation is created, plus, while a hook is
 *       enabled, the operation's async resource; a <em>bound callback</em>
 *       ({@link dev.asynclocal.internal.Bound}) is a callback that is its own capture.</li>
 * </ul>
 */
package dev.asynclocal.internal;
