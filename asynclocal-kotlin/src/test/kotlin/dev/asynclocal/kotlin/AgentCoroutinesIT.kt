package dev.asynclocal.kotlin

import dev.asynclocal.AsyncLocalStorage
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/**
 * Under the agent, on a dispatcher backed by a JDK pool (whose tasks the agent binds to whatever
 * context dispatched them): the element's context wins inside the coroutine, the pool threads keep
 * nothing, and Dispatchers.Default's workers (Thread subclasses) inherit nothing from the request
 * that happened to start them.
 */
class AgentCoroutinesIT {
    companion object {
        val VALUE = AsyncLocalStorage<String>("agent-value")
    }

    @Test
    fun theElementWinsOverTheAgentsCaptureOnAnInstrumentedPool() {
        assertThat(dev.asynclocal.agent.AsyncLocalAgent.isInstalled()).isTrue()
        val pool = Executors.newFixedThreadPool(3)
        val dispatcher = pool.asCoroutineDispatcher()
        try {
            val mismatches = ConcurrentHashMap.newKeySet<String>()
            VALUE.runWith("dispatching request") {
                runBlocking {
                    (0 until 500).map { i ->
                        async(dispatcher + VALUE.asContextElement("c-$i")) {
                            repeat(10) {
                                if (it % 2 == 0) delay(1) else yield()
                                withContext(Dispatchers.Default) { if (VALUE.store != "c-$i") mismatches.add("c-$i default") }
                                if (VALUE.store != "c-$i") mismatches.add("c-$i saw ${VALUE.store}")
                            }
                        }
                    }.awaitAll()
                }
            }
            assertThat(mismatches).isEmpty()
            val seen = ConcurrentHashMap.newKeySet<String>()
            repeat(64) { pool.submit { seen.add("${VALUE.store}") }.get() }
            assertThat(seen).containsOnly("null")
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun defaultDispatcherWorkersStartedInsideARequestKeepNothing() {
        val seen = ConcurrentHashMap.newKeySet<String>()
        VALUE.runWith("request-A") {
            runBlocking {
                // grows the scheduler's worker set from inside request A
                (0 until 64).map { launch(Dispatchers.Default) { Thread.sleep(2) } }.forEach { it.join() }
            }
        }
        runBlocking {
            (0 until 2000).map { launch(Dispatchers.Default) { seen.add("${VALUE.store}") } }.forEach { it.join() }
        }
        assertThat(seen).containsOnly("null")
    }
}
