package dev.asynclocal.kotlin

import dev.asynclocal.AsyncLocalStorage
import dev.asynclocal.micrometer.AsyncLocalThreadLocalAccessor
import io.micrometer.context.ContextRegistry
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.reactive.awaitSingle
import kotlinx.coroutines.reactor.flux
import kotlinx.coroutines.reactor.mono
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import reactor.core.publisher.Hooks
import reactor.core.publisher.Mono
import reactor.core.scheduler.Schedulers

/**
 * The element with kotlinx-coroutines-reactor and Reactor's automatic context propagation
 * (through asynclocal-micrometer's accessor): `mono {}` and `flux {}` started with the element
 * run in its context, and a coroutine that awaits a Mono which hops threads keeps its own.
 */
class ReactorTest {
    companion object {
        val USER = AsyncLocalStorage<String>("reactor-user")

        @JvmStatic
        @BeforeAll
        fun enable() {
            AsyncLocalThreadLocalAccessor.register(ContextRegistry.getInstance(), "reactor-user", USER)
            Hooks.enableAutomaticContextPropagation()
        }

        @JvmStatic
        @AfterAll
        fun disable() {
            Hooks.disableAutomaticContextPropagation()
            ContextRegistry.getInstance().removeThreadLocalAccessor("reactor-user")
        }
    }

    @Test
    fun monoAndFluxBuildersRunInTheElementsContext() {
        val fromMono = USER.runWith("alice") {
            mono(Dispatchers.Default + currentAsyncContext()) { delay(1); USER.store }.block()
        }
        assertThat(fromMono).isEqualTo("alice")
        val fromFlux = USER.runWith("bob") {
            flux(Dispatchers.IO + currentAsyncContext()) { repeat(3) { delay(1); send(USER.store) } }
                .collectList().block()
        }
        assertThat(fromFlux).containsExactly("bob", "bob", "bob")
    }

    @Test
    fun aCoroutineAwaitingAMonoThatHopsThreadsKeepsItsContext() {
        val seen = runBlocking(USER.asContextElement("carol")) {
            val inMono = Mono.fromCallable { USER.store }.subscribeOn(Schedulers.boundedElastic()).awaitSingle()
            delay(1)
            "$inMono/${USER.store}"
        }
        assertThat(seen).isEqualTo("carol/carol")
    }
}
