package dev.asynclocal.kotlin

import dev.asynclocal.AsyncLocalStorage
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.produce
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.selects.select
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/**
 * The element with real dispatchers (and kotlinx-coroutines-test's): children see what their parent
 * had when they started, nothing flows back, `enterWith` lives and dies with its coroutine, and no
 * thread keeps anything.
 */
class CoroutineContextTest {
    companion object {
        val REQUEST_ID = AsyncLocalStorage<String>("requestId")
        val USER = AsyncLocalStorage<String>("user")
    }

    @Test
    fun childrenSeeWhatTheParentHadWhenTheyStartedAndNothingFlowsBack() {
        runBlocking {
            val seen = REQUEST_ID.runWith("r-1") {
                runBlocking(currentAsyncContext()) {
                    val child = async(Dispatchers.Default) {
                        val first = REQUEST_ID.store
                        REQUEST_ID.enterWith("changed by the child")
                        delay(1)
                        first + "," + REQUEST_ID.store
                    }
                    val io = withContext(Dispatchers.IO) { REQUEST_ID.store }
                    listOf(child.await(), io, REQUEST_ID.store)
                }
            }
            assertThat(seen).containsExactly("r-1,changed by the child", "r-1", "r-1")
            assertThat(REQUEST_ID.store).isNull()
        }
    }

    @Test
    fun aChildStartsWithTheParentsContextAtLaunchNotAtTheParentsStart() {
        runBlocking(currentAsyncContext()) {
            REQUEST_ID.enterWith("set before launch")
            val child = async(Dispatchers.Default) { REQUEST_ID.store }
            REQUEST_ID.enterWith("set after launch")
            assertThat(child.await()).isEqualTo("set before launch")
            assertThat(REQUEST_ID.store).isEqualTo("set after launch")
        }
    }

    @Test
    fun withStoreIsRunForSuspendingCode() {
        runBlocking(currentAsyncContext()) {
            val inside = USER.withStore("alice") {
                REQUEST_ID.withStore("r-2") {
                    delay(1)
                    withContext(Dispatchers.IO) { "${USER.store}/${REQUEST_ID.store}" }
                }
            }
            assertThat(inside).isEqualTo("alice/r-2")
            assertThat(USER.store).isNull()
            assertThat(REQUEST_ID.store).isNull()
        }
    }

    @Test
    fun asContextElementSetsOneStoreOnTopOfTheParent() {
        REQUEST_ID.runWith("r-3") {
            runBlocking(currentAsyncContext()) {
                val job = async(Dispatchers.Default + USER.asContextElement("bob")) {
                    delay(1)
                    "${REQUEST_ID.store}/${USER.store}"
                }
                assertThat(job.await()).isEqualTo("r-3/bob")
                assertThat(USER.store).isNull()
            }
        }
    }

    @Test
    fun flowsChannelsAndSelectSeeTheContextOfTheCoroutineThatStartedThem() {
        REQUEST_ID.runWith("r-4") {
            runBlocking(currentAsyncContext()) {
                val fromFlow = flow { repeat(3) { emit(REQUEST_ID.store); delay(1) } }
                    .flowOn(Dispatchers.IO)
                    .map { "$it@${REQUEST_ID.store}" }
                    .toList()
                assertThat(fromFlow).containsOnly("r-4@r-4")

                val produced = produce(Dispatchers.Default) { repeat(3) { send(REQUEST_ID.store); yield() } }
                val received = buildList { for (v in produced) add(v) }
                assertThat(received).containsOnly("r-4")

                val a = Channel<String>(1)
                val b = Channel<String>(1)
                launch(Dispatchers.Default) { delay(2); a.send("a:" + REQUEST_ID.store) }
                launch(Dispatchers.IO + USER.asContextElement("other")) { b.send("b:" + REQUEST_ID.store + "/" + USER.store) }
                val first = select<String> {
                    a.onReceive { it }
                    b.onReceive { it }
                }
                // Take the other one too: closing a channel its sender has not used yet would
                // make that send throw (it did, now and then, when `a` lost the race).
                val second = if (first.startsWith("a:")) b.receive() else a.receive()
                assertThat(listOf(first, second)).containsExactlyInAnyOrder("a:r-4", "b:r-4/other")
                assertThat(REQUEST_ID.store).isEqualTo("r-4")
            }
        }
    }

    @Test
    fun enterWithLivesAcrossTheCoroutinesSuspensionsAndNeverStaysOnAThread() {
        runBlocking {
            val results = (1..200).map { i ->
                async(Dispatchers.Default + currentAsyncContext()) {
                    REQUEST_ID.enterWith("c-$i")
                    repeat(5) {
                        delay(1)
                        yield()
                        withContext(Dispatchers.IO) { check(REQUEST_ID.store == "c-$i") }
                    }
                    REQUEST_ID.store == "c-$i"
                }
            }.map { it.await() }
            assertThat(results).containsOnly(true)
            val seen = ConcurrentHashMap.newKeySet<String>()
            (1..500).map {
                launch(Dispatchers.Default) { seen.add("${REQUEST_ID.store}"); yield(); seen.add("${REQUEST_ID.store}") }
            }.forEach { it.join() }
            (1..200).map { launch(Dispatchers.IO) { seen.add("${REQUEST_ID.store}") } }.forEach { it.join() }
            assertThat(seen).containsOnly("null")
        }
    }

    @Test
    fun aScopeBuiltOutsideAnyCoroutineCarriesTheContextItWasBuiltIn() {
        val executor = Executors.newFixedThreadPool(2)
        try {
            val dispatcher = executor.asCoroutineDispatcher()
            val scope = REQUEST_ID.runWith("r-5") { CoroutineScope(dispatcher + currentAsyncContext()) }
            val seen = runBlocking {
                scope.async { delay(1); REQUEST_ID.store }.await()
            }
            assertThat(seen).isEqualTo("r-5")
            val plain = runBlocking { CoroutineScope(dispatcher).async { REQUEST_ID.store }.await() }
            assertThat(plain).isNull()
        } finally {
            executor.shutdownNow()
        }
    }

    @Test
    fun virtualTimeOfKotlinxCoroutinesTestKeepsTheContextToo() {
        runTest(USER.asContextElement("virtual")) {
            delay(10_000)
            assertThat(USER.store).isEqualTo("virtual")
            val child = async { delay(5_000); USER.store }
            assertThat(child.await()).isEqualTo("virtual")
        }
    }

    @Test
    fun aChildGivenAWholeContextUsesItInsteadOfTheParents() {
        REQUEST_ID.runWith("outer") {
            val other = REQUEST_ID.runWith("given") { currentAsyncContext() }
            runBlocking(currentAsyncContext()) {
                val seen = async(Dispatchers.Default + other) { REQUEST_ID.store }.await()
                assertThat(seen).isEqualTo("given")
                assertThat(REQUEST_ID.store).isEqualTo("outer")
            }
        }
    }
}
